/** Saves `text` as a file the browser downloads (an object URL on a temporary link). */
export function downloadText(fileName: string, text: string, type = "text/csv;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the URL can go once the event loop turns.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
