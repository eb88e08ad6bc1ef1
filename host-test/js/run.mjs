// Runs actions of target/dockerhub-org.wasm under Node: transpiles it with jco, instantiates it with
// host.mjs's imports, calls each action, and prints one JSON report on stdout.
//
// Usage: DOCKERHUB_OAT=... node run.mjs <component.wasm> <hub-url> <org> <action> <json-input> [<action> <json-input> ...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createImports } from './host.mjs';

const [component, hubUrl, org, ...pairs] = process.argv.slice(2);
if (!component || !hubUrl || !org || pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: DOCKERHUB_OAT=... node run.mjs <component.wasm> <hub-url> <org> <action> <json-input> [...]');
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'dockerhub-org-jco-'));
const jco = fileURLToPath(new URL('./node_modules/@bytecodealliance/jco/dist/jco.js', import.meta.url));
execFileSync(process.execPath, [jco, 'transpile', component, '-o', out, '--instantiation', 'sync', '--name', 'dockerhub-org', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
const { instantiate } = await import(pathToFileURL(join(out, 'dockerhub-org.js')).href);

const hub = new URL(hubUrl);
const { imports, sent, cacheKeys, beginCall } = createImports({
  secrets: {
    'organization-name': org,
    'organization-access-token': process.env.DOCKERHUB_OAT ?? '',
    'hub-url': hubUrl,
    ...(process.env.DOCKERHUB_TIMEOUT ? { 'call-timeout-seconds': process.env.DOCKERHUB_TIMEOUT } : {}),
  },
  allowedOrigins: [`${hub.protocol}//${hub.hostname}:${hub.port || (hub.protocol === 'https:' ? 443 : 80)}`],
});
const root = instantiate((path) => new WebAssembly.Module(readFileSync(join(out, path))), imports);

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const results = [];
for (let i = 0; i < pairs.length; i += 2) {
  const [action, input] = [pairs[i], pairs[i + 1]];
  const fn = root.actions[camel(action)];
  if (typeof fn !== 'function') {
    results.push({ action, ok: false, error: { kind: 'no-such-action', message: action } });
    continue;
  }
  try {
    beginCall();
    results.push({ action, ok: true, output: JSON.parse(fn(input)) });
  } catch (e) {
    const payload = e?.payload;
    if (!payload) throw e;
    const { message, detail } = payload.val ?? {};
    results.push({ action, ok: false, error: { kind: payload.tag, message, detail } });
  }
}
console.log(JSON.stringify({ results, requests: sent.length, cacheKeys: cacheKeys() }));
