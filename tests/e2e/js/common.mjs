// Shared helpers for the RingCentral JS SDK checks (run by tests/e2e/test_ringcentral_js_sdk.py).
import {SDK} from '@ringcentral/sdk';

export const A2P = '/restapi/v1.0/account/~/a2p-sms';

export function makePlatform(server, options = {}) {
    const sdk = new SDK({server, clientId: 'js-client-id', clientSecret: 'js-client-secret', ...options});
    return sdk.platform();
}

// The emulator's admin API: moves the virtual clock, and answers once the webhooks now due
// were attempted (?wait=true), so a receiver has them when it returns.
export async function advance(server, duration) {
    const response = await fetch(`${server}/_emulator/clock?wait=true`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({advance: duration}),
    });
    if (!response.ok) throw new Error(`clock: HTTP ${response.status}`);
}

export async function run(main) {
    try {
        console.log(JSON.stringify(await main()));
    } catch (e) {
        console.error(e && e.stack ? e.stack : String(e));
        process.exit(1);
    }
}
