import { contentSecurityPolicy, WEB_SECURITY_HEADERS } from './web-headers.ts';

/**
 * `/docs`: Swagger UI from the installed `swagger-ui-dist`, whose files the web build puts under
 * `/docs/` (scripts/build-web.ts; the web bucket on AWS). No CDN, so it works offline; no inline
 * script, so the same strict CSP as the web pages applies.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>E-team API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"><noscript>The API description is at <a href="/openapi.json">/openapi.json</a>.</noscript></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/docs-init.js"></script>
</body>
</html>
`;

// Swagger UI sets inline styles on its elements.
export const DOCS_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': contentSecurityPolicy([]).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  ...WEB_SECURITY_HEADERS,
};
