/**
 * How a review tag reads: a built-in tag in the reader's language, a case's own tag as the
 * administrator named it (it is data, not a console string).
 */
import { useTranslation } from 'react-i18next';

const BUILT_IN = new Set(['responsive', 'not-responsive', 'privileged', 'needs-second-look']);

export function useTagLabel(): (name: string) => string {
  const { t } = useTranslation('cases');
  return (name) => (BUILT_IN.has(name) ? t(`review.tags.${name}`) : name);
}
