// Label sets shared by the policies; the Endpoint declarations carry the same labels.

export const STARWARS = {
  empire: { org: 'empire' },
  deathstar: { org: 'empire', class: 'deathstar' },
} as const;

export const SHOP = {
  frontend: { app: 'frontend' },
  cart: { app: 'cart' },
  payments: { app: 'payments' },
  database: { tier: 'db' },
  myService: { app: 'myService' },
} as const;

export const KUBE_DNS = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } as const;
