/** Option parsers shared by command definitions (loaded with the program, so kept free of dependencies). */

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}
