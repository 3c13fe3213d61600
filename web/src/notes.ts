// An event's note as the reader's language has it: the stored note is Chinese, and jiceng's own
// wording of it (routing, time limits, warnings) comes in English too (note_en).
export function noteIn(e: { note: string; note_en: string | null }, locale: string): string {
  return locale === 'en' && e.note_en ? e.note_en : e.note
}
