// Worker entry for bench/telephony.client.ts: a worker thread does not inherit the TypeScript loader, so it
// registers tsx's before importing the client.
import { register } from 'tsx/esm/api';

register();
await import('./telephony.client.ts');
