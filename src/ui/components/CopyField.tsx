import { useState } from 'react';
import { copyText } from '../download';

/**
 * Text to copy: shown read-only (selected on focus, to copy by hand) with
 * a button that puts it on the clipboard and says whether that worked.
 */
export function CopyField({
  label,
  text,
  button = 'Copy',
  rows,
}: {
  label: string;
  text: string;
  button?: string;
  /** Lines of a multi-line field; a single line without it. */
  rows?: number;
}) {
  const [copied, setCopied] = useState<{ text: string; ok: boolean } | null>(
    null,
  );
  const copy = async () => setCopied({ text, ok: await copyText(text) });
  const select = (e: {
    currentTarget: HTMLInputElement | HTMLTextAreaElement;
  }) => e.currentTarget.select();
  const status =
    copied?.text !== text
      ? ''
      : copied.ok
        ? 'Copied.'
        : 'The browser refused the clipboard; select the text and copy it.';
  return (
    <div className="copy-field">
      {rows ? (
        <textarea
          aria-label={label}
          readOnly
          rows={rows}
          value={text}
          onFocus={select}
        />
      ) : (
        <input aria-label={label} readOnly value={text} onFocus={select} />
      )}
      <button type="button" onClick={() => void copy()}>
        {button}
      </button>
      <span className="muted" role="status">
        {status}
      </span>
    </div>
  );
}
