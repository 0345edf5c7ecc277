// sudo's own messages (sudo 1.9 as shipped by Debian) mapped to what is missing.
import * as assert from 'node:assert/strict';
import { classifySudoFailure, sudoError } from '../../../src/core/ssh/sudo';

const r = (stderr: string, code = 1) => ({ stdout: '', stderr, code });

describe('ssh/sudo', function () {
  it('tells the reasons apart', function () {
    assert.equal(classifySudoFailure(r('sudo: a password is required\n')), 'needs-password');
    assert.equal(classifySudoFailure(r('Sorry, try again.\nsudo: 1 incorrect password attempt\n')), 'wrong-password');
    assert.equal(classifySudoFailure(r('lvsnosudo is not in the sudoers file.\n')), 'not-allowed');
    assert.equal(classifySudoFailure(r("Sorry, user lvsnosudo is not allowed to execute '/usr/bin/tcpdump -i eth0' as root on rs2.\n")), 'not-allowed');
    assert.equal(classifySudoFailure(r('Sorry, user lvsnosudo may not run sudo on rs2.\n')), 'not-allowed');
    assert.equal(classifySudoFailure(r('sudo: sorry, you must have a tty to run sudo\n')), 'needs-tty');
    assert.equal(classifySudoFailure(r('sh: 1: sudo: not found\n', 127)), 'no-sudo');
    assert.equal(classifySudoFailure(r('tcpdump: eth9: No such device exists\n')), undefined);
  });

  it('says what is missing, naming host, user and program', function () {
    assert.match(sudoError('needs-password', 'rs2', 'lvsuser', 'tcpdump').message, /^sudo on rs2 needs a password and none was given/);
    assert.match(sudoError('not-allowed', 'rs2', 'lvsnosudo', 'tcpdump').message, /^lvsnosudo is not allowed to run tcpdump via sudo on rs2/);
  });
});
