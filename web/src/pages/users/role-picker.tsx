/**
 * The role checkboxes of the create and edit forms, each with its one-line description so that
 * an administrator sees what a role grants before ticking it.
 */
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../../src/security/roles.js';
import { ROLE_TEXT, ROLES, sortRoles } from './roles.js';

export interface RolePickerProps {
  value: readonly Role[];
  onChange: (roles: Role[]) => void;
  /** each checkbox gets data-testid `<prefix><role>` */
  testIdPrefix: string;
  disabled?: boolean;
}

export function RolePicker({ value, onChange, testIdPrefix, disabled }: RolePickerProps) {
  const { t } = useTranslation('users');
  return (
    <fieldset disabled={disabled}>
      <legend>{t('fields.roles')}</legend>
      <div className="choices">
        {ROLES.map((role) => (
          <label key={role} className="choice">
            <input
              type="checkbox"
              checked={value.includes(role)}
              onChange={(e) =>
                onChange(sortRoles(e.target.checked ? [...value, role] : value.filter((r) => r !== role)))
              }
              data-testid={`${testIdPrefix}${role}`}
            />
            <span>
              <strong>{t(ROLE_TEXT[role].name)}</strong>
              <span className="field-hint">{t(ROLE_TEXT[role].description)}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
