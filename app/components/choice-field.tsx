// A labelled <select> over a fixed list of values with their Russian labels
// (states, priorities): the desk pages repeat this shape many times.
export function ChoiceField<V extends string>({ label, name, values, labels, defaultValue }: { label: string; name: string; values: readonly V[]; labels: Record<V, string>; defaultValue: V }) {
  return (
    <label className="field">
      <span>{label}</span>
      <select name={name} defaultValue={defaultValue}>
        {values.map((v) => (
          <option key={v} value={v}>
            {labels[v]}
          </option>
        ))}
      </select>
    </label>
  )
}
