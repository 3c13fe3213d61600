// Whether the window is phone-narrow (below 768 px, Element Plus's xs), following it as it changes: pages lay
// out one column there.
import { onMounted, onUnmounted, ref, type Ref } from 'vue'

export function useNarrow(): Ref<boolean> {
  const phoneWidth = window.matchMedia('(max-width: 767.98px)')
  const narrow = ref(phoneWidth.matches)
  const follow = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  onMounted(() => phoneWidth.addEventListener('change', follow))
  onUnmounted(() => phoneWidth.removeEventListener('change', follow))
  return narrow
}
