/**
 * The child process of the crash-safety test (store.test.ts): opens the store in the profile
 * directory given as its argument and commits, forever, transactions of one call plus one
 * contact with three numbers. After each commit returns it writes "<callId> <contactId>\n" to
 * stdout (synchronously, before the next transaction starts), so every id the parent reads
 * was committed. The parent SIGKILLs it at an arbitrary moment.
 */
import { writeSync } from 'node:fs';
import { PhoneStore } from '../index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-writer.ts <profile-dir>');
const store = PhoneStore.open(dir);
for (let i = 0; ; i++) {
  const ids = store.transaction(() => {
    const call = store.history.add({ direction: 'in', remoteUri: `sip:${5550000000 + i}@pbx`, startedAt: Date.now(), outcome: 'missed' });
    const contact = store.contacts.create({
      name: `Caller ${i}`,
      numbers: [
        { label: 'mobile', value: `+1 555 ${String(i).padStart(7, '0')}` },
        { label: 'work', value: `${i}` },
        { label: 'sip', value: `sip:caller${i}@example.com` },
      ],
    });
    return `${call.id} ${contact.id}\n`;
  });
  writeSync(1, ids);
}
