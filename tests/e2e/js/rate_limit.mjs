// With handleRateLimit the SDK waits Retry-After seconds on a 429 and retries once.
// While it waits, the emulator's clock is moved on so the limit has passed when it retries.
import {A2P, advance, makePlatform, run} from './common.mjs';

const server = process.argv[2];

run(async () => {
    const platform = makePlatform(server, {handleRateLimit: true});
    const waits = [];
    platform.on(platform.events.rateLimitError, (e) => {
        waits.push(e.retryAfter);
        advance(server, '61s').catch(() => {});
    });
    await platform.login({jwt: 'js-jwt-assertion'});
    const statuses = [];
    for (let i = 0; i < 3; i++) {
        const response = await platform.get(`${A2P}/batches`);
        statuses.push(response.status);
    }
    // Without handleRateLimit the SDK throws the 429 to the caller.
    const plain = makePlatform(server);
    await plain.login({jwt: 'js-jwt-assertion'});
    let unhandled = null;
    try {
        await plain.get(`${A2P}/batches`);
        await plain.get(`${A2P}/batches`);
    } catch (e) {
        const body = await e.response.json();
        unhandled = {status: e.response.status, retryAfter: e.response.headers.get('retry-after'), body};
    }
    return {statuses, waits, unhandled};
});
