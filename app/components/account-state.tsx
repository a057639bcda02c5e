/** The state of an account as coordinators see it: disabled, not issued, awaiting a password change, or active. */
export function AccountState({ disabled, issued = true, mustChangePassword }: { disabled: boolean; issued?: boolean; mustChangePassword: boolean }) {
  if (disabled) return <span className="badge err">отключена</span>
  if (!issued) return <span className="badge">доступ не выдан</span>
  if (mustChangePassword) return <span className="badge warn">ждёт смены пароля</span>
  return <span className="badge ok">активна</span>
}
