// The weight downloads of the runs panel: which run is being exported in
// which format, and how the last export ended. The Worker builds the zip
// (src/export/); this store asks for it and hands the Blob to the save
// function, so the page only ever holds a handle to the file.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExportedFile } from '../export/client';
import type { WeightFormatName } from '../weights/formats';

export interface ExportDeps {
  exportRun(runId: string, format: WeightFormatName): Promise<ExportedFile>;
  save(fileName: string, blob: Blob): void;
}

export interface ExportOutcome {
  runId: string;
  format: WeightFormatName;
  ok: boolean;
  /** The file saved, or what went wrong, with what was expected. */
  message: string;
}

export interface ExportState {
  busy: { runId: string; format: WeightFormatName } | null;
  last: ExportOutcome | null;
  exportRun(
    runId: string,
    name: string,
    format: WeightFormatName,
  ): Promise<void>;
  dismiss(): void;
}

export type ExportStore = StoreApi<ExportState>;

/** How the buttons and messages name the formats. */
export const FORMAT_LABELS: Record<WeightFormatName, string> = {
  safetensors: 'safetensors',
  tfjs: 'tfjs',
  onnx: 'ONNX',
};

export function createExportStore(deps: ExportDeps): ExportStore {
  return createStore<ExportState>()((set, get) => ({
    busy: null,
    last: null,

    async exportRun(runId, name, format) {
      if (get().busy) return;
      set({ busy: { runId, format }, last: null });
      let last: ExportOutcome;
      try {
        const file = await deps.exportRun(runId, format);
        deps.save(file.fileName, file.blob);
        const notes = file.notes.map((n) => `; ${n}`).join('');
        last = {
          runId,
          format,
          ok: true,
          message: `saved ${file.fileName}${notes}`,
        };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        const label = FORMAT_LABELS[format];
        const message = `exporting "${name}" as ${label} failed: ${why}`;
        last = { runId, format, ok: false, message };
      }
      set({ busy: null, last });
    },

    dismiss() {
      set({ last: null });
    },
  }));
}

export const ExportStoreContext = createContext<ExportStore | null>(null);

export function useExports<T>(selector: (state: ExportState) => T): T {
  const store = useContext(ExportStoreContext);
  if (!store) {
    throw new Error(
      'useExports: expected an ExportStoreContext provider above this ' +
        'component, found none',
    );
  }
  return useStore(store, selector);
}
