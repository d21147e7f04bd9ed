/** Calls to any JSON endpoint of your own API: {@link dev.fanout.json.JsonService}. */
package dev.fanout.json;
