// Checks the mock's /v1/messages against the official Anthropic TypeScript SDK. In a temporary directory outside the repo:
//   npm install @anthropic-ai/sdk && cp <repo>/mock-server/scripts/anthropic-node-check.mjs . && node anthropic-node-check.mjs URL METERED_URL
// against two standalone servers (java -jar mock-server/target/fanout-mock-server.jar --port 0 --latency 0), the second with --rpm 60.
// Prints what the client parsed as JSON and exits 1 if a check fails.
import Anthropic from '@anthropic-ai/sdk';
const base = process.argv[2]; const metered = process.argv[3];
const client = new Anthropic({ baseURL: base, apiKey: 'sk-ant-test', maxRetries: 0 });
const out = {}; const failures = [];
const check = (name, ok) => { if (!ok) failures.push(name); };
const tools = [{ name: 'get_weather', description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
const question = { role: 'user', content: 'What is the weather in Paris and Tokyo?' };
// 1. plain
const r0 = await client.messages.create({ model: 'claude-test', max_tokens: 100, system: 'Be brief.',
  messages: [{ role: 'user', content: 'Hello there' }] });
out.plain = { type: r0.type, stop: r0.stop_reason, text: r0.content[0].text, usage: r0.usage };
check('plain', r0.type === 'message' && r0.stop_reason === 'end_turn' && r0.content[0].type === 'text');
// 2. tool use, then the tool results
const r1 = await client.messages.create({ model: 'claude-test', max_tokens: 200, tools, messages: [question] });
const uses = r1.content.filter(b => b.type === 'tool_use');
out.toolUse = { stop: r1.stop_reason, uses: uses.map(u => [u.id, u.name, u.input]) };
check('tool use', r1.stop_reason === 'tool_use' && uses.length === 2 && uses[0].input.city === 'Paris');
const r2 = await client.messages.create({ model: 'claude-test', max_tokens: 200, tools, messages: [question,
  { role: 'assistant', content: r1.content },
  { role: 'user', content: uses.map(u => ({ type: 'tool_result', tool_use_id: u.id, content: JSON.stringify({ temp: 20, city: u.input.city }) })) }] });
out.afterResults = { stop: r2.stop_reason, text: r2.content[0].text };
check('tool result', r2.stop_reason === 'end_turn' && r2.content[0].text.includes('get_weather returned'));
// 3. streamed text, assembled by the client's stream helper
const textStream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'Tell me about Oslo' }] });
let pieces = 0; textStream.on('text', () => pieces++);
const m3 = await textStream.finalMessage();
out.streamedText = { pieces, text: m3.content[0].text, stop: m3.stop_reason, usage: m3.usage };
check('streamed text', pieces > 1 && m3.content[0].text.includes('Oslo') && m3.stop_reason === 'end_turn');
// 4. streamed tool use: input_json_delta fragments parsed by the client
const toolStream = client.messages.stream({ model: 'claude-test', max_tokens: 200, tools,
  messages: [{ role: 'user', content: 'What is the weather in Lima?' }] });
let fragments = 0; toolStream.on('inputJson', () => fragments++);
const m4 = await toolStream.finalMessage();
out.streamedToolUse = { fragments, stop: m4.stop_reason, uses: m4.content.filter(b => b.type === 'tool_use').map(u => [u.name, u.input]) };
check('streamed tool use', fragments > 1 && m4.stop_reason === 'tool_use' && m4.content[0].input.city === 'Lima');
// 5. no max_tokens -> 400 invalid_request_error
try { await client.messages.create({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }); out.noMaxTokens = 'accepted?!'; }
catch (err) { out.noMaxTokens = [err.status, err.error?.error?.type, err.constructor.name]; }
check('no max_tokens', Array.isArray(out.noMaxTokens) && out.noMaxTokens[0] === 400 && out.noMaxTokens[2] === 'BadRequestError');
// 6. the meter's 429 (server started with --rpm 60: one second's worth = 1 request), then the client's own retry
{ const client = new Anthropic({ baseURL: metered, apiKey: 'sk-ant-test', maxRetries: 0 });
  let limited = null;
  for (let i = 0; i < 3 && !limited; i++) {
    try { await client.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }); }
    catch (err) { limited = [err.status, err.error?.error?.type, err.constructor.name, err.headers?.get?.('retry-after'),
      err.headers?.get?.('anthropic-ratelimit-requests-limit')]; }
  }
  out.rateLimited = limited;
  check('429', limited && limited[0] === 429 && limited[1] === 'rate_limit_error' && limited[2] === 'RateLimitError');
  const patient = new Anthropic({ baseURL: metered, apiKey: 'sk-ant-test', maxRetries: 2 });
  const t = Date.now();
  const r6 = await patient.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  out.retried = { type: r6.type, ms: Date.now() - t };
  check('retry', r6.type === 'message');
}
console.log(JSON.stringify(out, null, 1));
if (failures.length) { console.error('FAILED: ' + failures.join(', ')); process.exit(1); }
console.log('all checks passed');
