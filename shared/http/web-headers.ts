/**
 * The security headers of the web pages (`/tablet`, `/console`, `/docs`), in one place: the
 * local server sends them and the CloudFront response-headers policy (infra/constructs/web.ts) is built
 * from the same values, so what the browser tests run under is what is deployed.
 *
 * The CSP allows only our own origin: no inline script or style, no CDN. The Chime SDK needs
 * its signalling WebSocket and TURN/media endpoints (`*.chime.aws`, `*.amazonaws.com` for the
 * event ingestion), WebRTC media, and blob: workers; camera and microphone are allowed for this
 * origin only.
 */
export const CHIME_CONNECT_SOURCES = ['wss://*.chime.aws', 'https://*.chime.aws', 'https://*.amazonaws.com'] as const;

export function contentSecurityPolicy(extraConnect: readonly string[] = CHIME_CONNECT_SOURCES): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    `connect-src 'self' ${extraConnect.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export const WEB_SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(self), microphone=(self), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
} as const;
