/**
 * OpenAI-compatible chat completions: {@link dev.fanout.chat.ChatService}, its
 * {@link dev.fanout.chat.ChatRequest} and {@link dev.fanout.chat.ChatCompletion}, plain or streamed.
 */
package dev.fanout.chat;
