import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot, startWebStack, type WebStack } from './support.ts';

describe('the web clients are served with the API, on one origin', () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack();
  });
  afterAll(async () => stack?.close());

  it('a tablet opens /tablet in Danish, with its strict security headers, and can switch to English', async () => {
    const { page } = await stack.newPage();
    const response = await page.goto('/tablet');
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(await page.getAttribute('html', 'lang')).toBe('da');
    await expect.poll(() => page.textContent('h1')).toBe('Forbind tabletten');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.textContent('h1')).toBe('Connect this tablet');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'scaffold', 'tablet');
  });

  it('/docs shows Swagger UI offline: every request stays on this origin', async () => {
    const { context, page } = await stack.newPage();
    const foreign: string[] = [];
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === stack.url) return route.continue();
      foreign.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await page.goto('/docs');
    await page.getByText('/tablet-pairings/redeem').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    expect(foreign).toEqual([]);
    await screenshot(page, 'docs', 'swagger-ui');
  });
});
