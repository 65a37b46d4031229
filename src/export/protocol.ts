// The typed messages between the app and the export Worker: one request
// per download, answered by the zip as a Blob (a handle, not a copy) or by
// an error with a code the UI can act on.
import type { WeightFormatName } from '../weights/formats';
import type { ExportErrorCode } from './run-export';

export interface ExportRequest {
  id: number;
  runId: string;
  format: WeightFormatName;
  /** ISO 8601: the model card's date. */
  date: string;
}

export type ExportReply =
  | {
      type: 'done';
      id: number;
      fileName: string;
      blob: Blob;
      notes: string[];
    }
  | {
      type: 'error';
      id: number;
      error: { code: ExportErrorCode; message: string };
    };
