/** A one-time password, shown once right after issuance. */
export function IssuedPassword({ login, password, name }: { login: string; password: string; name: string }) {
  return (
    <div className="alert alert-warn" role="status" data-testid="issued-password">
      <p>
        Новый одноразовый пароль для <strong>{name}</strong> (логин <code>{login}</code>):
      </p>
      <p>
        <span className="secret" data-testid="one-time-password">
          {password}
        </span>
      </p>
      <p className="small">
        Пароль показан один раз и нигде не хранится в открытом виде. Передайте его лично или по защищённому каналу; при первом входе его потребуется сменить.
      </p>
    </div>
  )
}
