// Whether the window is phone-narrow (768 px or less), following it as it changes: pages lay
// out one column there.
import { onMounted, onUnmounted, ref, type Ref } from 'vue'

export function useNarrow(): Ref<boolean> {
  const phoneWidth = window.matchMedia('(max-width: 768px)')
  const narrow = ref(phoneWidth.matches)
  const follow = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  onMounted(() => phoneWidth.addEventListener('change', follow))
  onUnmounted(() => phoneWidth.removeEventListener('change', follow))
  return narrow
}
