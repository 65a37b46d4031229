// Globals that the module test page (blank.html) defines.
declare global {
  interface Window {
    importModule<T = Record<string, unknown>>(path: string): Promise<T>;
  }
}
export {};
