// The three-legged login with PKCE as a browser app makes it: the SDK's loginUrl (usePKCE),
// the authorize redirect (the emulator signs the user in at once), parseLoginRedirect,
// then login({code}) with the verifier the SDK kept. The same code again is refused.
import {A2P, makePlatform, run} from './common.mjs';

const server = process.argv[2];
const redirectUri = 'http://localhost:5000/oauth2callback';

async function refusal(platform, options) {
    try {
        await platform.login(options);
    } catch (e) {
        return {status: e.response.status, body: await e.response.json()};
    }
    throw new Error('the used code logged in again');
}

run(async () => {
    const platform = makePlatform(server, {clientSecret: '', redirectUri});
    const url = platform.loginUrl({usePKCE: true, state: 'xyz'});
    const authorize = await fetch(url, {redirect: 'manual'});
    const location = new URL(authorize.headers.get('location'));
    const options = platform.parseLoginRedirect(location.search);
    await platform.login(options);
    const listed = (await platform.get(`${A2P}/batches`)).status;
    const again = await refusal(platform, {...options, code_verifier: platform.codeVerifier});
    return {status: authorize.status, query: [...location.searchParams.keys()], listed, again};
});
