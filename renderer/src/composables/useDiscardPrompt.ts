import { shallowRef } from 'vue';

/** What the user chose when work would be thrown away. */
export type DiscardAnswer = 'save' | 'discard' | 'cancel';

interface Question {
  readonly text: string;
  readonly canSave: boolean;
  readonly resolve: (answer: DiscardAnswer) => void;
}

function createDiscardPrompt() {
  const question = shallowRef<Question | null>(null);
  return {
    /** The question on screen, or null. */
    question,
    /** Asks; a question still open is answered "cancel" first. */
    ask(text: string, canSave: boolean): Promise<DiscardAnswer> {
      question.value?.resolve('cancel');
      return new Promise((resolve) => {
        question.value = { text, canSave, resolve };
      });
    },
    answer(answer: DiscardAnswer): void {
      const current = question.value;
      question.value = null;
      current?.resolve(answer);
    },
  };
}

let shared: ReturnType<typeof createDiscardPrompt> | undefined;

/** "Save / Discard / Cancel" before unsaved work would be thrown away (one per app). */
export function useDiscardPrompt(): ReturnType<typeof createDiscardPrompt> {
  shared ??= createDiscardPrompt();
  return shared;
}
