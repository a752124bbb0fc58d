// The baseline for init-time figures: a Lambda entry that imports nothing.
export const handler = (): Promise<Record<string, never>> => Promise.resolve({});
