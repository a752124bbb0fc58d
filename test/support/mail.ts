// The mail key tests seal and open mail bodies with, the same the test function environment gives.
import { createSecretBox } from '../../libs/crypto/secret-box.ts';
import { openMailBody, type MailBody } from '../../libs/mail/entity.ts';

export const testMailKey = 'unit-test-mail-keys-0123456789abcdef0123456789';

export const testMailBox = createSecretBox(testMailKey);

/** The text and HTML of a stored mail item, opened with the test mail key. */
export function mailBodyOf(item: { body: string }): MailBody {
  return openMailBody(item.body, testMailBox);
}
