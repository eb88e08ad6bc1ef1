// The HTTP side of the Node host, on its own thread: the component's imports are synchronous, so
// host.mjs posts requests here and blocks on a shared flag until the answers come back.
import { parentPort, workerData } from 'node:worker_threads';

const { flag, port, maxBodyBytes } = workerData;

async function send(request, timeoutMs) {
  try {
    const response = await fetch(request.url, {
      method: request.method.toUpperCase(),
      headers: request.headers.map((h) => [h.name, h.value]),
      body: request.body ? Buffer.from(request.body) : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const chunks = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      if (size > maxBodyBytes) return { tag: 'err', val: { tag: 'body-too-large', val: BigInt(maxBodyBytes) } };
      chunks.push(chunk);
    }
    const headers = [];
    response.headers.forEach((value, name) => headers.push({ name, value }));
    return { tag: 'ok', val: { status: response.status, headers, body: new Uint8Array(Buffer.concat(chunks)) } };
  } catch (error) {
    const why = String(error?.cause?.code ?? error?.name ?? error);
    if (error?.name === 'TimeoutError') return { tag: 'err', val: { tag: 'timeout', val: why } };
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET/.test(why)) return { tag: 'err', val: { tag: 'connect', val: why } };
    return { tag: 'err', val: { tag: 'protocol', val: why } };
  }
}

parentPort.on('message', async ({ requests, maxConcurrency, timeoutMs }) => {
  const results = new Array(requests.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(maxConcurrency, requests.length)) }, async () => {
    while (next < requests.length) {
      const i = next++;
      results[i] = await send(requests[i], timeoutMs);
    }
  });
  await Promise.all(workers);
  port.postMessage(results);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
