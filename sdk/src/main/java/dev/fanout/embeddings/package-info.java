/**
 * OpenAI-compatible embeddings: {@link dev.fanout.embeddings.EmbeddingService}, its
 * {@link dev.fanout.embeddings.EmbeddingRequest} and {@link dev.fanout.embeddings.EmbeddingResponse}.
 */
package dev.fanout.embeddings;
