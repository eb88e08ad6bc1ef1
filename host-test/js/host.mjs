// A second host for the same component: the three imports (http-fetch, secret-get, cache)
// implemented for Node, for a component transpiled by jco with `--instantiation sync`.
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

/**
 * Builds the import object.
 * @param {object} options
 * @param {Record<string, string>} options.secrets connection values by key
 * @param {string[]} options.allowedOrigins origins (`scheme://host:port`) requests may go to
 *
 * Call `beginCall()` before each action: it starts the call's deadline (the `call-timeout-seconds`
 * connection value, default 120 s). No request is sent and no pause started past it, and a request
 * it cuts short answers `deadline-exceeded` (docs/host.md).
 */
export function createImports({ secrets, allowedOrigins, timeoutMs = 30000, maxBodyBytes = 8 * 1024 * 1024 }) {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./fetch-worker.mjs', import.meta.url), {
    workerData: { flag, port: port2, maxBodyBytes },
    transferList: [port2],
  });
  worker.unref();
  const sent = [];

  // The current call's deadline (ms since the epoch) and whether a pause gave up on it.
  const seconds = Number.parseInt(secrets['call-timeout-seconds'] ?? '', 10);
  const deadlineMs = (seconds >= 1 && seconds <= 86400 ? seconds : 120) * 1000;
  let deadline = Infinity;
  let passed = false;
  const beginCall = () => {
    deadline = Date.now() + deadlineMs;
    passed = false;
  };
  const left = () => (passed ? 0 : Math.max(0, deadline - Date.now()));
  const exceeded = (what) => {
    passed = true;
    return { tag: 'err', val: { tag: 'deadline-exceeded', val: what } };
  };

  const origin = (url) => {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return `${u.protocol}//${u.hostname}:${port}`;
  };

  // Sends requests on the worker and blocks until they are all answered.
  function run(requests, maxConcurrency) {
    const outcomes = new Array(requests.length);
    const pending = [];
    requests.forEach((request, i) => {
      let allowed;
      try {
        allowed = allowedOrigins.includes(origin(request.url));
      } catch (e) {
        outcomes[i] = { tag: 'err', val: { tag: 'invalid-url', val: String(e) } };
        return;
      }
      if (!allowed) {
        outcomes[i] = { tag: 'err', val: { tag: 'host-not-allowed', val: origin(request.url) } };
        return;
      }
      if (left() === 0) {
        outcomes[i] = exceeded('not sent: the deadline had passed');
        return;
      }
      sent.push({ method: request.method, url: request.url });
      pending.push(i);
    });
    if (pending.length > 0) {
      Atomics.store(flag, 0, 0);
      worker.postMessage({ requests: pending.map((i) => requests[i]), maxConcurrency, timeoutMs: Math.min(timeoutMs, left()) });
      Atomics.wait(flag, 0, 0);
      const answers = receiveMessageOnPort(port1).message;
      pending.forEach((i, k) => {
        const cut = answers[k].tag === 'err' && answers[k].val.tag === 'timeout' && left() === 0;
        outcomes[i] = cut ? exceeded('no answer before the deadline') : answers[k];
      });
    }
    return outcomes;
  }

  const cache = new Map();
  const imports = {
    'dockerhub:org/http-fetch@0.1.0': {
      fetch(request) {
        const [outcome] = run([request], 1);
        if (outcome.tag === 'err') throw outcome.val; // jco: a thrown plain value is the error payload
        return outcome.val;
      },
      fetchBatch(requests, maxConcurrency) {
        return run(requests, Math.min(Math.max(maxConcurrency, 1), 16));
      },
      sleep(millis) {
        const pause = Math.min(millis, 60000);
        if (pause >= left()) {
          exceeded('a pause before a retry would end past the deadline');
          return;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
      },
    },
    'dockerhub:org/secret-get@0.1.0': {
      get(key) {
        return Object.hasOwn(secrets, key) ? secrets[key] : undefined;
      },
    },
    'dockerhub:org/cache@0.1.0': {
      get(key) {
        const entry = cache.get(key);
        if (!entry) return undefined;
        if (entry.expires <= Date.now()) {
          cache.delete(key);
          return undefined;
        }
        return entry.value;
      },
      set(key, value, ttlSeconds) {
        if (ttlSeconds > 0) cache.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
      },
      delete(key) {
        cache.delete(key);
      },
    },
  };
  // jco's typings name the interfaces with their version, its generated code without: offer both.
  for (const name of Object.keys(imports)) imports[name.replace(/@[^@]+$/, '')] = imports[name];
  return { imports, sent, cacheKeys: () => [...cache.keys()], beginCall };
}
