/**
 * OpenAI-compatible chat completions: {@link dev.fanout.chat.ChatService}, its
 * {@link dev.fanout.chat.ChatRequest} and {@link dev.fanout.chat.ChatCompletion}, plain or streamed; and
 * {@link dev.fanout.chat.Agent}, the tool loop that runs a model's tool calls concurrently under one deadline.
 */
package dev.fanout.chat;
