import { buildApp } from '../app.ts';

// `npx cdk synth|deploy` runs this (cdk.json). The CLI synthesises the app when the process ends.
buildApp();
