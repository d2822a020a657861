// The access token expires on the emulator's clock (the SDK's own clock says it is fresh):
// the next call gets 401, the SDK refreshes once (access_token_ttl=-1) and retries.
import {A2P, advance, makePlatform, run} from './common.mjs';

const server = process.argv[2];

run(async () => {
    const platform = makePlatform(server);
    await platform.login({jwt: 'js-jwt-assertion'});
    const created = await (
        await platform.post(`${A2P}/batches`, {
            from: '+16505550100',
            text: 'Héllo from JS 😀',
            messages: [{to: ['+14155550100']}, {to: ['+14155550101'], text: 'Hi Bob'}],
        })
    ).json();
    await advance(server, '2h');
    const batch = await (await platform.get(`${A2P}/batches/${created.id}`)).json();
    const page = await (await platform.get(`${A2P}/messages`, {phoneNumber: '+14155550100', view: 'Detailed'})).json();
    return {created, batch, page};
});
