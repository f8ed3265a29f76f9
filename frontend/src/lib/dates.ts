// The GOV.UK date input's three boxes (day, month, year) and the API's ISO date (2026-03-27).

export interface DateParts {
  day: string
  month: string
  year: string
}

/** "2026-03-27" -> {day: "27", month: "3", year: "2026"}; anything else is kept box by box. */
export function dateParts(value: string): DateParts {
  const [year = '', month = '', day = ''] = value.split('-')
  const plain = (text: string) => (/^\d+$/.test(text) ? String(Number(text)) : text)
  return { day: plain(day), month: plain(month), year }
}

/** The boxes as the API's date: "" when all are empty, so the API says the date is missing;
 * digits are padded ("2026-03-07"); anything else is sent as typed, for the API to refuse by the
 * field ("Meeting date must be a real date"). */
export function isoDate({ day, month, year }: DateParts): string {
  const [y, m, d] = [year.trim(), month.trim(), day.trim()]
  if (y === '' && m === '' && d === '') return ''
  if ([y, m, d].every((p) => /^\d+$/.test(p))) return `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
  return `${y}-${m}-${d}`
}

/** Today in the browser as the API's date, for a default. */
export function todayIso(now: Date = new Date()): string {
  return isoDate({ day: String(now.getDate()), month: String(now.getMonth() + 1), year: String(now.getFullYear()) })
}
