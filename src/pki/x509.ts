/**
 * The one place that loads @peculiar/x509: its dependency tsyringe needs the Reflect metadata polyfill loaded first (ESM evaluates
 * imports in order), and the library needs a WebCrypto provider, which is Node's own.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

export { x509, webcrypto };
