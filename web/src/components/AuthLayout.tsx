import { type ReactNode, useEffect, useRef } from 'react';

/** The frame of the signed-out screens: the brand, a card with the screen's heading, a footer line. */
export function AuthLayout({
  title,
  children,
  footer,
}: {
  title: string;
  children: ReactNode;
  footer: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Moving between sign-in and sign-up replaces the page's content: start reading at its heading.
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) heading.current?.focus();
  }, []);
  return (
    <div className="auth-page">
      <p className="brand brand--large">Alertsify</p>
      <main className="card auth-card">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {children}
      </main>
      <p className="auth-footer">{footer}</p>
    </div>
  );
}
