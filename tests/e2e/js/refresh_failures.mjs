// What the SDK's recovery meets when it cannot recover: the refresh token expired on the
// emulator's clock or its session revoked (the 401 makes it refresh, the refresh is
// refused), a 503 it does not retry, and a cut body that must fail, not hang.
import {A2P, advance, makePlatform, run} from './common.mjs';

const server = process.argv[2];

async function scenario(body) {
    const response = await fetch(`${server}/_emulator/scenario`, {
        method: 'PUT',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`scenario: HTTP ${response.status}`);
}

async function failure(call) {
    try {
        await call();
    } catch (e) {
        const response = e.response;
        return {
            message: e.message,
            status: response ? response.status : null,
            body: response ? await response.clone().json() : null,
            retryAfter: response ? response.headers.get('retry-after') : null,
        };
    }
    throw new Error('the call succeeded');
}

run(async () => {
    const expired = makePlatform(server, {cachePrefix: 'expired-'});
    const refreshErrors = [];
    expired.on(expired.events.refreshError, (e) => refreshErrors.push(e.message));
    await expired.login({jwt: 'js-jwt-assertion'});
    await advance(server, '8d'); // past refresh_token_expires_in (604,800 s)
    const refreshExpired = await failure(() => expired.get(`${A2P}/batches`));

    const revoked = makePlatform(server, {cachePrefix: 'revoked-'});
    await revoked.login({jwt: 'js-jwt-assertion'});
    const other = makePlatform(server, {cachePrefix: 'other-'}); // another process, same session
    await other.auth().setData(await revoked.auth().data());
    await other.logout();
    const sessionRevoked = await failure(() => revoked.get(`${A2P}/batches`));

    const platform = makePlatform(server, {cachePrefix: 'faults-', handleRateLimit: true});
    await platform.login({jwt: 'js-jwt-assertion'});
    await scenario({faults: [{when: {endpoint: 'list_batches'}, respond: {status: 503, retry_after: '5s'}}]});
    const unavailable = await failure(() => platform.get(`${A2P}/batches`));
    await scenario({faults: [{when: {endpoint: 'list_batches'}, respond: {truncate: true}}]});
    const truncated = await failure(async () => (await platform.get(`${A2P}/batches`)).json());
    return {refreshExpired, refreshErrors, sessionRevoked, unavailable, truncated: truncated.message};
});
