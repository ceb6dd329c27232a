import { render, screen } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ApiError } from '../src/api/client';
import { TextField, fieldSentence } from '../src/components/Field';

describe('field errors', () => {
  test('server messages read as sentences about the field', () => {
    expect(fieldSentence('IDP Login URL', 'is required to enable SSO')).toBe('IDP Login URL is required to enable SSO');
    expect(fieldSentence('E-mail', 'must be an e-mail address')).toBe('E-mail must be an e-mail address');
    expect(fieldSentence('Certificate', 'this certificate is already uploaded')).toBe('This certificate is already uploaded');
  });

  test('an error is tied to its input for assistive technology', () => {
    render(<TextField label="IDP Issuer URL/URN" hint="Copy the Microsoft Entra Identifier." error="is required to enable SSO" />);
    const input = screen.getByLabelText('IDP Issuer URL/URN');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('IDP Issuer URL/URN is required to enable SSO Copy the Microsoft Entra Identifier.');
  });

  test('no error, no invalid state', () => {
    render(<TextField label="Name" />);
    expect(screen.getByLabelText('Name')).not.toHaveAttribute('aria-invalid');
  });

  test('API errors collect every field message', () => {
    const e = new ApiError('VALIDATION', 'x', [
      { field: 'loginUrl', message: 'must use https' },
      { field: 'issuer', message: 'is required to enable SSO' },
    ]);
    expect(e.fieldMessage('issuer')).toBe('is required to enable SSO');
    expect(e.fieldMessage('logoutUrl')).toBeUndefined();
  });
});
