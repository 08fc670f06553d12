// metav1.Time and metav1.MicroTime as the API serializes them: RFC 3339 in UTC with whole seconds,
// and with microseconds.

export const rfc3339 = (d: Date = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const microTime = (d: Date = new Date()): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
