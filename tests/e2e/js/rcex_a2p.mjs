// RingCentral's other JS SDK, ringcentral-extensible (@rc-ex/core), generated from
// RingCentral's API spec: its JWT login (client_id in the form as well as the Basic
// header), a batch with a rejected recipient, the message list with its array filters
// (sent as repeated parameters), one message, the consents API it calls (PATCH,
// search, history, export) and the RestException it throws for an error answer.
import RingCentral from '@rc-ex/core';
import {advance, run} from './common.mjs';

const server = process.argv[2];

async function failure(call) {
    try {
        await call();
        return null;
    } catch (e) {
        return {type: e.constructor.name, status: e.response.status, body: e.response.data};
    }
}

run(async () => {
    const rc = new RingCentral({server, clientId: 'rcex-client-id', clientSecret: 'rcex-secret'});
    const token = await rc.authorize({jwt: 'rcex-jwt-assertion'});
    const a2p = () => rc.restapi().account().a2pSms();
    const numbers = await rc.restapi().account().extension().phoneNumber().get();
    const from = numbers.records.find((n) => n.features.includes('A2PSmsSender')).phoneNumber;
    const created = await a2p().batches().post({
        from,
        text: 'Hello from rc-ex',
        messages: [{to: ['+14155550100']}, {to: ['+14155550101'], text: 'Own text'}, {to: ['+1415555']}],
    });
    await advance(server, '1m');
    const batches = await a2p().batches().list({status: ['Completed', 'Processing']});
    const page = await a2p().messages().list({
        batchId: created.id,
        view: 'Detailed',
        direction: ['Outbound'],
        phoneNumber: ['+14155550100', '+14155550101'],
        perPage: 1,
    });
    const next = await a2p().messages().list({batchId: created.id, perPage: 1, pageToken: page.paging.nextPageToken});
    const one = await a2p().messages(page.records[0].id).get();
    const statuses = await a2p().statuses().get({batchId: created.id});
    const consents = () => rc.restapi().v2().accounts().sms().consents();
    const patched = await consents().patch({records: [{from, to: '+14155550199', optStatus: 'OptOut', source: 'Api'}]});
    await advance(server, '5s');
    await consents().patch({records: [{from, to: '+14155550199', optStatus: 'OptIn', source: 'Recipient'}]});
    const searched = await consents().search().post({optStatus: 'OptIn', to: ['+14155550199']});
    const history = await consents().history().get({to: ['+14155550199']});
    const exported = await consents().export().get();
    return {
        token: Object.keys(token).sort(),
        created,
        batches: batches.records.map((b) => [b.id, b.status]),
        page,
        next: next.records.map((m) => m.to[0]),
        one,
        statuses,
        patched,
        searched: searched.records,
        history: history.records,
        exported,
        unknownBatch: await failure(() => a2p().batches('no-such-batch').get()),
        badFilter: await failure(() => a2p().batches().list({status: ['Bogus']})),
    };
});
