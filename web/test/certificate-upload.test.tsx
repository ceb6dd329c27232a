import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { CertificateDetails, CertificateUpload } from '../src/components/Certificates';
import { fixture } from './helpers';

const file = (name: string, type = 'application/x-x509-ca-cert') => new File([fixture(name)], name, { type });

describe('CertificateUpload', () => {
  test('a .cer file is read and handed over with its subject and fingerprint', async () => {
    const onParsed = vi.fn();
    render(<CertificateUpload onParsed={onParsed} />);
    const input = screen.getByLabelText('Upload a certificate');
    expect(input).toHaveAttribute('accept', expect.stringContaining('.cer'));
    expect(input).toHaveAttribute('accept', expect.stringContaining('.der'));
    await userEvent.upload(input, file('entra-base64.cer'));
    await vi.waitFor(() => expect(onParsed).toHaveBeenCalledTimes(1));
    expect(onParsed.mock.calls[0][0]).toMatchObject({
      subject: 'CN=Microsoft Azure Federated SSO Certificate',
      fingerprintSha256: expect.stringMatching(/^DE:CE:7D:22/),
    });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  test('a binary .der file is accepted too', async () => {
    const onParsed = vi.fn();
    render(<CertificateUpload onParsed={onParsed} />);
    await userEvent.upload(screen.getByLabelText('Upload a certificate'), file('entra.der'));
    await vi.waitFor(() => expect(onParsed).toHaveBeenCalledTimes(1));
  });

  test('a file that is not a certificate gets a clear error next to the field, and nothing is handed over', async () => {
    const onParsed = vi.fn();
    render(<CertificateUpload onParsed={onParsed} />);
    const input = screen.getByLabelText('Upload a certificate');
    await userEvent.upload(input, new File(['<EntityDescriptor/>'], 'metadata.cer'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(/This is not a certificate/);
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input.getAttribute('aria-describedby')).toBe(alert.id);
    await userEvent.upload(input, file('test-private-key.pem'));
    expect(await screen.findByRole('alert')).toHaveTextContent(/private key, not a certificate/);
    expect(onParsed).not.toHaveBeenCalled();
  });

  test('pasted PEM text works, and the parent can refuse it (e.g. a duplicate)', async () => {
    const onParsed = vi.fn().mockReturnValueOnce(undefined).mockReturnValueOnce('This certificate is already in the list.');
    render(<CertificateUpload onParsed={onParsed} />);
    await userEvent.click(screen.getByRole('button', { name: 'Paste the certificate text instead' }));
    const area = screen.getByLabelText('Paste a certificate (PEM or Base64)');
    const pem = fixture('entra.pem').toString();
    await userEvent.click(area);
    await userEvent.paste(pem);
    await userEvent.click(screen.getByRole('button', { name: 'Add pasted certificate' }));
    expect(onParsed).toHaveBeenCalledTimes(1);
    expect(area).toHaveValue('');
    await userEvent.click(area);
    await userEvent.paste(pem);
    await userEvent.click(screen.getByRole('button', { name: 'Add pasted certificate' }));
    expect(screen.getByRole('alert')).toHaveTextContent('This certificate is already in the list.');
    expect(area).toHaveValue(pem);
  });

  test('a server error about the upload is shown like a local one', () => {
    render(<CertificateUpload onParsed={vi.fn()} error="this certificate is already uploaded" />);
    expect(screen.getByRole('alert')).toHaveTextContent('this certificate is already uploaded');
  });
});

describe('CertificateDetails', () => {
  const cert = {
    subject: 'CN=Microsoft Azure Federated SSO Certificate',
    issuer: 'CN=Microsoft Azure Federated SSO Certificate',
    fingerprintSha256: 'AB:CD',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
  };

  test('shows subject, fingerprint and validity', () => {
    render(<CertificateDetails certificate={cert} now={new Date('2026-06-01T00:00:00Z')} />);
    expect(screen.getByText('CN=Microsoft Azure Federated SSO Certificate')).toBeInTheDocument();
    expect(screen.getByText('AB:CD')).toBeInTheDocument();
    expect(screen.getByText(/2027/)).toBeInTheDocument();
    expect(screen.queryByText(/Expires in/)).toBeNull();
  });

  test('warns when the certificate expires in under 60 days', () => {
    render(<CertificateDetails certificate={cert} now={new Date('2026-11-12T00:00:00Z')} />);
    expect(screen.getByText(/Expires in 50 days: upload your IdP.s next certificate now/)).toBeInTheDocument();
  });

  test('no warning at 60 days or more', () => {
    render(<CertificateDetails certificate={cert} now={new Date('2026-11-01T00:00:00Z')} />);
    expect(screen.queryByText(/Expires in/)).toBeNull();
  });

  test('says when it has expired', () => {
    render(<CertificateDetails certificate={cert} now={new Date('2027-02-01T00:00:00Z')} />);
    expect(screen.getByText(/^Expired on/)).toBeInTheDocument();
  });
});
