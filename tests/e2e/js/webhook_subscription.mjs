// As RingCentral's High Volume SMS app (Node) learns of its batches: a webhook receiver on
// node's own http server, echoing Validation-Token, and a subscription made through the SDK.
import http from 'node:http';
import {A2P, advance, makePlatform, run} from './common.mjs';

const server = process.argv[2];

function listen() {
    const received = [];
    const receiver = http.createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
            const token = request.headers['validation-token'];
            if (token) response.setHeader('Validation-Token', token);
            else received.push({headers: request.headers, body: JSON.parse(body)});
            response.end();
        });
    });
    return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve({receiver, received})));
}

run(async () => {
    const {receiver, received} = await listen();
    try {
        const platform = makePlatform(server);
        await platform.login({jwt: 'js-jwt-assertion'});
        const address = `http://127.0.0.1:${receiver.address().port}/rc`;
        const subscription = await (
            await platform.post('/restapi/v1.0/subscription', {
                eventFilters: [`${A2P}/batches`, `${A2P}/messages?direction=Inbound`],
                deliveryMode: {transportType: 'WebHook', address, verificationToken: 'js-secret'},
            })
        ).json();
        const created = await (
            await platform.post(`${A2P}/batches`, {from: '+16505550100', text: 'Hi', messages: [{to: ['+14155550100']}]})
        ).json();
        await advance(server, '1m'); // its answer waits for both notifications: no polling
        return {subscription, created, received};
    } finally {
        receiver.close();
    }
});
