// Checks the mock against the official openai npm client. In a temporary directory outside the repo:
//   npm install openai && cp <repo>/mock-server/scripts/openai-node-check.mjs . && node openai-node-check.mjs URL METERED_URL
// against two standalone servers (java -jar mock-server/target/fanout-mock-server.jar --port 0 --latency 0), the second with --rpm 60.
import OpenAI from 'openai';
const base = process.argv[2]; const metered = process.argv[3];
const client = new OpenAI({ baseURL: base + '/v1', apiKey: 'sk-test', maxRetries: 0 });
const out = {};
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather',
  parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'] } } }];
// 1. tools, parallel calls
const r1 = await client.chat.completions.create({ model: 'gpt-4o-mini', tools, tool_choice: 'auto',
  messages: [{ role: 'user', content: 'What is the weather in Paris and Tokyo?' }] });
const calls = r1.choices[0].message.tool_calls;
out.toolCalls = calls.map(c => [c.id, c.function.name, JSON.parse(c.function.arguments)]);
out.finish1 = r1.choices[0].finish_reason;
// 2. tool results -> final answer
const r2 = await client.chat.completions.create({ model: 'gpt-4o-mini', tools,
  messages: [{ role: 'user', content: 'What is the weather in Paris and Tokyo?' }, r1.choices[0].message,
    ...calls.map(c => ({ role: 'tool', tool_call_id: c.id, content: JSON.stringify({ temp: 20, city: JSON.parse(c.function.arguments).city }) }))] });
out.final = r2.choices[0].message.content;
// 3. streamed tool calls, assembled by the client's stream helper
const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', tools, stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'What is the weather in Oslo?' }] });
const done = await runner.finalChatCompletion();
out.streamedCall = done.choices[0].message.tool_calls.map(c => [c.function.name, c.function.arguments]);
out.streamedUsage = done.usage;
// 4. structured output
const r4 = await client.chat.completions.create({ model: 'gpt-4o-mini',
  response_format: { type: 'json_schema', json_schema: { name: 'card', strict: true, schema: { type: 'object',
    properties: { title: { type: 'string' }, count: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['title', 'count', 'tags'], additionalProperties: false } } },
  messages: [{ role: 'user', content: 'Make a card about 3 cats' }] });
out.structured = JSON.parse(r4.choices[0].message.content);
// 5. embeddings (the client asks for base64 by default and decodes it)
const e = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['the cat sat', 'a cat sat', 'stock prices'] });
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
out.embeddings = { n: e.data.length, dims: e.data[0].embedding.length, usage: e.usage,
  simCats: dot(e.data[0].embedding, e.data[1].embedding).toFixed(3), simUnrelated: dot(e.data[0].embedding, e.data[2].embedding).toFixed(3) };
// 6. n choices
const r6 = await client.chat.completions.create({ model: 'gpt-4o-mini', n: 3, messages: [{ role: 'user', content: 'hi' }] });
out.nChoices = r6.choices.map(c => c.index);
// 7. missing model -> 400
try { await client.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] }); out.noModel = 'accepted?!'; }
catch (err) { out.noModel = [err.status, err.param, err.code, err.constructor.name]; }
const client0 = client;
{ const client = new OpenAI({ baseURL: metered + '/v1', apiKey: 'sk-test', maxRetries: 0 });
// 8. 429 from the meter (server started with --rpm 60: one second's worth = 1 request)
let limited = null;
for (let i = 0; i < 3 && !limited; i++) {
  try { const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    out.headers = Object.fromEntries([...response.headers].filter(([k]) => k.startsWith('x-ratelimit'))); }
  catch (err) { limited = err; }
}
out.rateLimited = limited && [limited.status, limited.constructor.name, limited.code, limited.type, limited.message,
  limited.headers.get('retry-after'), limited.headers.get('retry-after-ms')];
// 9. with retries on, the client waits retry-after-ms and succeeds
const patient = new OpenAI({ baseURL: metered + '/v1', apiKey: 'sk-test', maxRetries: 3 });
const t0 = Date.now();
const ok = await patient.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
out.retriedOk = [ok.choices[0].finish_reason, Date.now() - t0 + 'ms'];
}
console.log(JSON.stringify(out, null, 1));
