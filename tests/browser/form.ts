// The app's form as the tests reach it: by the labels a user reads.
import type { Page } from 'playwright-core';

/** The form control whose label is exactly `label`. */
export const field = (page: Page, label: string) =>
  page.getByLabel(label, { exact: true });

/** Opens a step of the recipe form (a closed one hides its fields). */
export async function openStep(page: Page, id: string): Promise<void> {
  const step = page.locator(`details[data-step="${id}"]`);
  if ((await step.getAttribute('open')) === null) {
    await step.locator('summary').click();
  }
}

/** Waits for the app's automation API, i.e. for the app to be up. */
export async function appReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.recipeLab?.ready;
  });
}
