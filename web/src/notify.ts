/** Desktop notifications for incoming calls, when the person has allowed them. */

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

export async function requestNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  return Notification.requestPermission();
}

/** Shows "Incoming call from …"; clicking it focuses the page. Returns a close function. */
export function notifyIncoming(callId: string, who: string, uri: string): () => void {
  if (!notificationsSupported() || Notification.permission !== 'granted') return () => {};
  try {
    const n = new Notification(`Incoming call from ${who}`, { body: uri, tag: `call-${callId}`, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return () => n.close();
  } catch {
    // Some browsers (Chrome on Android) only allow notifications from a service worker.
    return () => {};
  }
}
