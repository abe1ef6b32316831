/** Where the browser tests and the web bench find Chromium (Debian's package by default). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
