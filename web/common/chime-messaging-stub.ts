/**
 * Stands in for `@aws-sdk/client-chime-sdk-messaging` in the browser bundles. The Chime SDK's
 * index pulls in its messaging session, whose AWS SDK client (CommonJS build) drags Node-only
 * credential providers into a browser build. The pages use meetings only, never messaging, so
 * nothing here is ever called.
 */
export {};
