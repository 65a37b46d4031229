// Files from a drop on the page, with their paths: a dropped folder is
// walked through the entries API (the only way a drop yields a folder's
// contents), dropped files come as they are.

type Entry = FileSystemEntry;

function isFile(entry: Entry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isFolder(entry: Entry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a folder: readEntries hands them out in batches. */
async function childrenOf(folder: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = folder.createReader();
  const all: Entry[] = [];
  for (;;) {
    const batch = await new Promise<Entry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(
  entry: Entry,
  out: { path: string; file: File }[],
): Promise<void> {
  if (isFile(entry)) {
    // fullPath starts with "/"; folder inputs give paths without it.
    out.push({
      path: entry.fullPath.replace(/^\//, ''),
      file: await fileOf(entry),
    });
  } else if (isFolder(entry)) {
    for (const child of await childrenOf(entry)) await walk(child, out);
  }
}

/** The dropped files and folders' files, each with its relative path. */
export async function filesFromDrop(
  transfer: DataTransfer,
): Promise<{ path: string; file: File }[]> {
  // Entries must be taken before the first await: the DataTransfer is
  // emptied once the drop event's handler returns.
  const entries = [...transfer.items]
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is Entry => entry !== null);
  const loose = entries.length === 0 ? [...transfer.files] : [];
  const out: { path: string; file: File }[] = [];
  for (const entry of entries) await walk(entry, out);
  for (const file of loose) out.push({ path: file.name, file });
  return out;
}
