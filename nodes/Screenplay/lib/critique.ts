/** The rules critic lives in nodes/shared/screenplay/critique.ts, so the Claude node holds its plans to it too. */
export * from '../../shared/screenplay/critique';
