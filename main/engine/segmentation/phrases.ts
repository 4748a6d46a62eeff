import { invalidArgument } from '../../../shared/errors';

/**
 * Splits a region description into the phrases GroundingDINO is run on, one per forward pass (the public ONNX export
 * scores multi-phrase prompts wrongly). Separators: ".", "," and the word "and". Phrases are lowercased, trimmed and
 * de-duplicated; order is kept.
 */
export function splitPhrases(regionText: string): string[] {
  const phrases: string[] = [];
  for (const part of regionText.toLowerCase().split(/[.,]|\band\b/)) {
    const phrase = part.replace(/\s+/g, ' ').trim();
    if (phrase !== '' && !phrases.includes(phrase)) phrases.push(phrase);
  }
  if (phrases.length === 0) {
    throw invalidArgument(`region text is empty: describe what to select, e.g. --region "cat"`);
  }
  return phrases;
}

/** The prompt GroundingDINO expects for one phrase: lowercase, ending in ".". */
export function groundingPrompt(phrase: string): string {
  return `${phrase}.`;
}
