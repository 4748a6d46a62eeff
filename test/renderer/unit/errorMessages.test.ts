import { describe, expect, it } from 'vitest';
import { ApiCallError, modelIdSchema } from '../../../shared/api';
import { describeError } from '../../../renderer/src/editing/errorMessages';

const api = (code: ConstructorParameters<typeof ApiCallError>[0]['code'], message: string) =>
  new ApiCallError({ code, message });

describe('errors in the editor are one plain sentence that says what to do', () => {
  it.each([
    {
      name: 'no command-line advice for a missing model',
      error: api('model_missing', 'no SAM model installed in /m (get it with: npm run iir -- models pull starter)'),
      text: 'No SAM model installed in /m. Download the missing models from the Models sheet.',
    },
    {
      name: 'no "run:" advice for a model that is not installed',
      error: api('model_missing', 'model "sd15" is not installed in /m; run: npm run iir -- models pull sd15'),
      text: 'Model "sd15" is not installed in /m. Download the missing models from the Models sheet.',
    },
    {
      name: 'no --role for an import',
      error: api('invalid_argument', 'cannot tell what /x is; pass --role (sd15|sam). First check: no model.onnx'),
      text: 'Cannot tell what /x is: no model.onnx. Check the value and try again.',
    },
    {
      name: 'a damaged photo keeps its file name as written, without the decoder’s words',
      error: api(
        'invalid_argument',
        'corrupt-truncated.jpg is truncated or corrupt (VipsJpeg: premature end of JPEG file)',
      ),
      text: 'corrupt-truncated.jpg is damaged or incomplete, so it cannot be opened. Try another copy of the photo.',
    },
  ])('$name', ({ error, text }) => {
    expect(describeError(error).text).toBe(text);
  });

  it('turns a validation error into its first message, never the raw JSON', () => {
    const parsed = modelIdSchema.safeParse('My Model');
    expect(parsed.success).toBe(false);
    const text = describeError(parsed.error).text;
    expect(text).toBe('A model id is lower-case letters, digits, dot, dash or underscore.');
    expect(text).not.toMatch(/[[{]/);
  });
});
